import type { StoryAudience } from '@loop/contracts';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { IconCamera, IconClose } from '../../ui/icons.tsx';
import { useDocumentTitle } from '../../ui/Page.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { usePostStory } from './stories-api.ts';
import './stories.css';

const AUDIENCES: Array<[StoryAudience, string]> = [
  ['friends', 'Friends'],
  ['close_friends', 'Close friends'],
  ['followers', 'Followers'],
];

/**
 * The story composer: a photo or a short clip from the camera (`capture`) or the library, a
 * caption written over the picture, and who sees it. The server strips the picture's metadata
 * (location included) and checks a clip before it is transcoded.
 */
export function StoryComposerScreen() {
  useDocumentTitle('New story');
  const navigate = useNavigate();
  const toast = useToast();
  const post = usePostStory();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [caption, setCaption] = useState('');
  const [audience, setAudience] = useState<StoryAudience>('friends');
  const library = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const close = () => (window.history.state?.idx > 0 ? navigate(-1) : navigate('/friends', { replace: true }));
  const pick = (e: React.ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    if (!/^(image|video)\//.test(f.type) && f.type !== '') return toast('Choose a photo or a video', 'error');
    setFile(f);
  };
  const isVideo = file?.type.startsWith('video/') ?? false;

  return (
    <div className="story-composer" data-testid="story-composer">
      <header className="story-composer__bar">
        <button type="button" className="story-composer__icon" aria-label="Close" onClick={close}>
          <IconClose size={26} />
        </button>
        <h1 className="story-composer__title">New story</h1>
        <span />
      </header>
      <input ref={library} type="file" accept="image/*,video/*" hidden onChange={pick} data-testid="story-file" />
      <input ref={camera} type="file" accept="image/*,video/*" capture="environment" hidden onChange={pick} />

      <div className="story-composer__canvas">
        {preview ? (
          <>
            {isVideo ? <video src={preview} className="story-composer__media" autoPlay muted loop playsInline /> : <img src={preview} className="story-composer__media" alt="Your story" />}
            <textarea
              className="story-composer__caption"
              value={caption}
              maxLength={200}
              rows={2}
              placeholder="Add text"
              aria-label="Text over the picture"
              onChange={(e) => setCaption(e.target.value)}
            />
            <button type="button" className="story-composer__change" onClick={() => library.current?.click()}>
              Change
            </button>
          </>
        ) : (
          <div className="story-composer__pick">
            <p className="story-composer__hint">Share a moment with your friends. It disappears after 24 hours.</p>
            <Button variant="primary" size="lg" onClick={() => camera.current?.click()}>
              <IconCamera size={22} /> Camera
            </Button>
            <Button variant="secondary" size="lg" onClick={() => library.current?.click()}>
              Photo or video from library
            </Button>
            <p className="story-composer__hint story-composer__hint--small">Videos up to 60 seconds.</p>
          </div>
        )}
      </div>

      <footer className="story-composer__footer">
        <div className="story-composer__audience" role="radiogroup" aria-label="Who sees it">
          {AUDIENCES.map(([value, label]) => (
            <button
              key={value}
              type="button"
              role="radio"
              aria-checked={audience === value}
              className={`story-chip${audience === value ? ' story-chip--on' : ''}${value === 'close_friends' ? ' story-chip--close' : ''}`}
              onClick={() => setAudience(value)}
            >
              {label}
            </button>
          ))}
        </div>
        <Button
          variant="primary"
          block
          size="lg"
          disabled={!file}
          loading={post.isPending}
          onClick={() => {
            if (!file) return;
            post.mutate(
              { file, audience, caption },
              {
                onSuccess: (r) => {
                  toast(r.story.status === 'processing' ? 'Your story is processing; it shows once it’s ready' : 'Added to your story');
                  navigate('/friends', { replace: true });
                },
                onError: (e) => toast(describeError(e), 'error'),
              },
            );
          }}
        >
          {post.isPending ? 'Sharing…' : 'Share to story'}
        </Button>
      </footer>
    </div>
  );
}

import { Video } from '@loop/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { z } from 'zod';
import { api, describeError } from '../../app/api.ts';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { ChoiceGroup } from '../../ui/Switch.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { tusUpload } from './tus-upload.ts';
import { useVideoProgress, videoKeys } from './video-api.ts';
import './video.css';

type Visibility = 'public' | 'friends' | 'private';

/** Create: pick a clip, write a caption, choose who sees it; resumable upload, then processing progress. */
export function CreateScreen() {
  const [file, setFile] = useState<File | null>(null);
  const [caption, setCaption] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [uploaded, setUploaded] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [videoId, setVideoId] = useState<string | null>(null);
  const qc = useQueryClient();

  const submit = async () => {
    if (!file) return;
    setError(null);
    setUploaded(0);
    try {
      const uploadId = await tusUpload(file, setUploaded);
      const { video } = await api('/videos', { json: { uploadId, caption, visibility }, schema: z.object({ video: Video }) });
      // The answer is the clip's first state: progress frames from the WebSocket update it from here.
      qc.setQueryData(videoKeys.video(video.id), video);
      setVideoId(video.id);
      void qc.invalidateQueries({ queryKey: ['user-videos'] });
    } catch (err) {
      setError(err instanceof Error && !('status' in err) ? err.message : describeError(err));
      setUploaded(null);
    }
  };

  const reset = () => {
    setVideoId(null);
    setFile(null);
    setCaption('');
    setUploaded(null);
  };
  if (videoId) return <Processing id={videoId} onAnother={reset} />;
  const busy = uploaded !== null;
  return (
    <>
      <TopBar
        title="New clip"
        end={
          <ButtonLink to="/live/new" variant="ghost">
            Go live
          </ButtonLink>
        }
      />
      <Page>
        <form
          className="create"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label className="create__pick">
            <input type="file" accept="video/mp4,video/quicktime,video/webm,video/x-matroska,.mp4,.mov,.webm,.mkv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={busy} />
            <span>{file ? file.name : 'Choose a video (up to 10 minutes)'}</span>
          </label>
          <TextArea label="Caption" optional value={caption} maxLength={2200} onChange={(e) => setCaption(e.target.value)} hint="@mentions become links to their profiles" disabled={busy} />
          <ChoiceGroup
            legend="Who can watch"
            value={visibility}
            onChange={setVisibility}
            options={[
              { value: 'public', label: 'Everyone' },
              { value: 'friends', label: 'Friends' },
              { value: 'private', label: 'Only me' },
            ]}
          />
          {busy ? (
            <div className="progress" role="progressbar" aria-label="Uploading" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((uploaded ?? 0) * 100)}>
              <div className="progress__bar" style={{ width: `${Math.round((uploaded ?? 0) * 100)}%` }} />
              <span className="progress__label">Uploading… {Math.round((uploaded ?? 0) * 100)}%</span>
            </div>
          ) : null}
          {error ? (
            <p className="create__error" role="alert">
              {error}
            </p>
          ) : null}
          <Button type="submit" variant="primary" block disabled={!file || busy} loading={busy}>
            Post
          </Button>
        </form>
      </Page>
    </>
  );
}

function Processing({ id, onAnother }: { id: string; onAnother: () => void }) {
  const video = useVideoProgress(id);
  const v = video.data;
  const done = v && (v.progress === 100 || v.status === 'failed');
  return (
    <>
      <TopBar title="New clip" />
      <Page>
        <div className="create">
          {v?.status === 'failed' ? (
            <p className="create__error" role="alert">
              This clip could not be processed: {v.failureReason}
            </p>
          ) : (
            <div className="progress" role="progressbar" aria-label="Processing" aria-valuemin={0} aria-valuemax={100} aria-valuenow={v?.progress ?? 0}>
              <div className="progress__bar" style={{ width: `${v?.progress ?? 0}%` }} />
              <span className="progress__label" data-testid="processing-status">
                {v?.status === 'ready' ? (v.progress === 100 ? 'Ready' : `Playable — finishing HD ${v.progress}%`) : `Processing… ${v?.progress ?? 0}%`}
              </span>
            </div>
          )}
          {v?.posterUrl ? <img className="create__poster" src={v.posterUrl} alt="" /> : null}
          {done ? (
            <div className="create__done">
              {v?.status === 'ready' ? <Link to={`/video/${id}`}>Watch it</Link> : null}
              <Button onClick={onAnother}>Post another</Button>
            </div>
          ) : null}
        </div>
      </Page>
    </>
  );
}

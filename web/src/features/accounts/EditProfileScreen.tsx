import { Bio, DisplayName } from '@loop/contracts';
import { type ChangeEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, describeError } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { IconCamera } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { useRemoveAvatar, useUpdateProfile, useUploadAvatar } from './accounts-api.ts';
import { FormAlert } from './AuthLayout.tsx';
import './edit.css';

const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
const BIO_MAX = 300;
const NAME_MAX = 50;

async function canDecode(file: File): Promise<boolean> {
  try {
    (await createImageBitmap(file)).close();
    return true;
  } catch {
    return false;
  }
}

function avatarError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 413) return 'That image is larger than 5 MB. Choose a smaller one.';
    if (err.status === 422) return 'That file isn’t an image we can read. Use a JPEG, PNG, WebP, GIF, AVIF or HEIF.';
  }
  return describeError(err);
}

/** Edit display name, bio and photo. Name and bio save optimistically; the photo uploads at once. */
export function EditProfileScreen() {
  const me = useMe();
  const navigate = useNavigate();
  const toast = useToast();
  const update = useUpdateProfile();
  const upload = useUploadAvatar();
  const remove = useRemoveAvatar();
  const fileInput = useRef<HTMLInputElement>(null);

  const [displayName, setDisplayName] = useState(me.user.displayName);
  const [bio, setBio] = useState(me.user.bio);
  const [errors, setErrors] = useState<{ displayName?: string; bio?: string }>({});
  const [preview, setPreview] = useState<string | null>(null);
  const [photoError, setPhotoError] = useState<string | null>(null);

  // The preview is a blob: URL; free it when replaced or when leaving.
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  async function onPickPhoto(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setPhotoError(null);
    if (file.size > AVATAR_MAX_BYTES) {
      setPhotoError('That image is larger than 5 MB. Choose a smaller one.');
      return;
    }
    // Preview only what the browser can decode (HEIF may not be, yet the server accepts it).
    if (await canDecode(file)) setPreview(URL.createObjectURL(file));
    try {
      await upload.mutateAsync(file);
      toast('Profile photo updated', 'success');
    } catch (err) {
      setPhotoError(avatarError(err));
    } finally {
      setPreview(null);
    }
  }

  async function onRemovePhoto() {
    setPhotoError(null);
    try {
      await remove.mutateAsync();
      toast('Profile photo removed');
    } catch (err) {
      setPhotoError(describeError(err));
    }
  }

  function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    const name = DisplayName.safeParse(displayName);
    const b = Bio.safeParse(bio);
    const next: typeof errors = {};
    if (!name.success) next.displayName = displayName.trim() ? `Use at most ${NAME_MAX} characters.` : 'Enter a name people will know you by.';
    if (!b.success) next.bio = `Use at most ${BIO_MAX} characters.`;
    setErrors(next);
    if (next.displayName || next.bio) return;
    const patch: { displayName?: string; bio?: string } = {};
    if (name.data !== me.user.displayName) patch.displayName = name.data;
    if (b.data !== me.user.bio) patch.bio = b.data;
    // Optimistic: the profile shows the change at once; a failure rolls it back with a toast.
    if (Object.keys(patch).length) update.mutate(patch);
    navigate('/profile', { replace: true });
  }

  const busy = upload.isPending || remove.isPending;
  return (
    <>
      <TopBar
        title="Edit profile"
        back
        backTo="/profile"
        end={
          <Button type="submit" form="edit-profile" variant="ghost" className="topbar__save">
            Save
          </Button>
        }
      />
      <Page flush>
        <form id="edit-profile" className="edit" onSubmit={onSubmit} noValidate>
          <div className="edit__avatar">
            <button type="button" className="edit__avatar-button" onClick={() => fileInput.current?.click()} aria-label="Change profile photo" disabled={busy}>
              {preview ? <img className="edit__preview" src={preview} alt="" /> : <Avatar username={me.user.username} name={displayName || me.user.username} src={me.user.avatarUrl} size={96} />}
              {busy ? (
                <span className="edit__avatar-busy">
                  <span className="btn__spinner" aria-hidden="true" />
                  <span className="visually-hidden">Uploading…</span>
                </span>
              ) : null}
              <span className="edit__avatar-badge" aria-hidden="true">
                <IconCamera size={18} />
              </span>
            </button>
            <div className="edit__avatar-actions">
              <Button variant="ghost" onClick={() => fileInput.current?.click()} disabled={busy}>
                {me.user.avatarUrl ? 'Change photo' : 'Add photo'}
              </Button>
              {me.user.avatarUrl ? (
                <Button variant="ghost" onClick={onRemovePhoto} disabled={busy}>
                  Remove
                </Button>
              ) : null}
            </div>
            <p className="edit__avatar-hint">JPEG, PNG, WebP, GIF, AVIF or HEIF, up to 5 MB.</p>
            <input ref={fileInput} type="file" accept="image/*" hidden onChange={onPickPhoto} data-testid="avatar-input" />
            <FormAlert>{photoError}</FormAlert>
          </div>

          <TextField
            label="Display name"
            name="displayName"
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            maxLength={NAME_MAX + 10}
            counter={{ used: displayName.trim().length, max: NAME_MAX }}
            error={errors.displayName}
            autoComplete="name"
          />
          <TextField label="Username" name="username" prefix="@" value={me.user.username} readOnly hint="Your username can’t be changed yet." />
          <TextArea
            label="Bio"
            name="bio"
            value={bio}
            onChange={(e) => setBio(e.target.value)}
            rows={4}
            counter={{ used: bio.length, max: BIO_MAX }}
            error={errors.bio}
            placeholder="A few words about you"
          />
          <Button type="submit" variant="primary" size="lg" block>
            Save changes
          </Button>
        </form>
      </Page>
    </>
  );
}

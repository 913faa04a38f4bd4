import { useState } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { createConversation } from './inbox-api.ts';

/**
 * "Message" on someone's profile: opens the direct chat with them, creating it the first time
 * (the server reuses a pair's conversation). Who may write to whom is the server's rule: a
 * non-friend's first message becomes a request, and a refusal comes back as a quiet message.
 */
export function MessageButton({ userId, name }: { userId: string; name: string }) {
  const navigate = useNavigate();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  async function open() {
    setBusy(true);
    try {
      const c = await createConversation([userId]);
      navigate(`/inbox/${c.id}`);
    } catch (err) {
      toast(describeError(err), 'error');
      setBusy(false);
    }
  }
  return (
    <Button variant="secondary" loading={busy} onClick={open} aria-label={`Message ${name}`}>
      Message
    </Button>
  );
}

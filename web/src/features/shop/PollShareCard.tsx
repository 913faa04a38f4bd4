import { type PollChoice, ProductPoll, type ShareView } from '@loop/contracts';
import { useState } from 'react';
import { z } from 'zod';
import { formatPrice } from './price.ts';
import { ProductSheet } from './ProductSheet.tsx';
import { UnavailableShareCard } from '../sharing/UnavailableShareCard.tsx';
import { useVotePoll } from './shop-api.ts';
import { ShopError } from './ShopError.tsx';

const Card = z.object({ poll: ProductPoll });

/**
 * "Should I get it?" in a chat: the product, and Yes / No with their counts. Every member votes
 * once (tapping the other answer changes the vote, tapping one's own takes it back); the counts
 * arrive live with the `message.updated` frame each vote pushes to the conversation.
 */
export function PollShareCard({ share, quoted, messageId }: { share: ShareView; quoted?: boolean; messageId?: string }) {
  const parsed = share.status === 'available' ? Card.safeParse(share.card) : null;
  const poll = parsed?.success ? parsed.data.poll : null;
  const vote = useVotePoll(share.id);
  const [open, setOpen] = useState(false);
  if (!poll) {
    return <UnavailableShareCard title="Poll unavailable" reason="Only the members of its chat can see it." />;
  }
  const p = poll.product;
  // While a vote is on its way, show it as cast; the frame that follows brings the counts.
  const mine: PollChoice | null = vote.isPending ? (vote.variables ?? null) : poll.myVote;
  const total = poll.yes + poll.no;
  const choice = (c: PollChoice, label: string, n: number) => (
    <button
      type="button"
      className={`poll__choice${mine === c ? ' poll__choice--mine' : ''}`}
      aria-pressed={mine === c}
      disabled={quoted}
      onClick={() => vote.mutate(mine === c ? null : c)}
      data-testid={`poll-${c}`}
    >
      <span className="poll__bar" style={{ inlineSize: `${total ? Math.round((n / total) * 100) : 0}%` }} aria-hidden="true" />
      <span className="poll__label">{label}</span>
      <span className="poll__count">
        {n}
        <span className="visually-hidden">{n === 1 ? ' vote' : ' votes'}</span>
      </span>
    </button>
  );
  return (
    <div className={`poll${quoted ? ' poll--quoted' : ''}`} data-testid="poll-card" data-status="available" role="group" aria-label={`${poll.question} ${p.title}`}>
      <button type="button" className="poll__product" onClick={() => setOpen(true)} disabled={quoted} aria-label={`${p.title}, ${formatPrice(p.priceMinor, p.currency)}: open`}>
        {p.imageUrls[0] ? <img className="product-card__image" src={p.imageUrls[0]} alt="" /> : <span className="product-card__image product-card__image--none" aria-hidden="true">🛍</span>}
        <span className="product-card__text">
          <span className="poll__question">{poll.question}</span>
          <span className="product-card__title user-text">{p.title}</span>
          <span className="product-card__price">{formatPrice(p.priceMinor, p.currency)}</span>
        </span>
      </button>
      <div className="poll__choices">
        {choice('yes', 'Yes', poll.yes)}
        {choice('no', 'No', poll.no)}
      </div>
      <ShopError error={vote.error} />
      {quoted ? null : <ProductSheet productId={open ? p.id : null} source={messageId ? { type: 'message', id: messageId } : null} onClose={() => setOpen(false)} />}
    </div>
  );
}

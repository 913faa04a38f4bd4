import { type ShareView, VideoCard } from '@loop/contracts';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Avatar } from '../../ui/Avatar.tsx';
import { IconClose } from '../../ui/icons.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { OrderShareCard } from '../shop/OrderShareCard.tsx';
import { PollShareCard } from '../shop/PollShareCard.tsx';
import { ProductShareCard } from '../shop/ProductShareCard.tsx';
import { StoryShareCard } from '../stories/StoryShareCard.tsx';
import { InlineClip } from './InlineClip.tsx';
import { UnavailableShareCard } from './UnavailableShareCard.tsx';
import './sharing.css';

const phone = () => typeof window !== 'undefined' && window.matchMedia('(max-width: 767px)').matches;

function duration(ms: number) {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export interface ShareCardProps {
  share: ShareView;
  /** Compact rendering inside a reply quote. */
  quoted?: boolean;
  /** Reply to the message that carries this card (the chat quotes it). */
  onReply?: () => void;
  /** The message that carries it (a product bought from the card remembers it). */
  messageId?: string;
}

/**
 * A shared clip inside a chat: poster, author and caption. A tap plays it right there; on phones
 * it opens full screen with the conversation one swipe (down) or one tap (close) away. A clip
 * that was deleted or is no longer visible to this member says so, and shows nothing of it.
 */
export function ShareCard(props: ShareCardProps) {
  // Each kind of object draws its own card; clips are drawn here.
  if (props.share.type === 'product') return <ProductShareCard share={props.share} quoted={props.quoted} messageId={props.messageId} />;
  if (props.share.type === 'order') return <OrderShareCard share={props.share} />;
  if (props.share.type === 'poll') return <PollShareCard share={props.share} quoted={props.quoted} messageId={props.messageId} />;
  if (props.share.type === 'story') return <StoryShareCard share={props.share} quoted={props.quoted} />;
  return <ClipShareCard {...props} />;
}

function ClipShareCard({ share, quoted, onReply }: ShareCardProps) {
  const parsed = share.type === 'video' && share.status === 'available' ? VideoCard.safeParse(share.card) : null;
  const [playing, setPlaying] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const card = parsed?.success ? parsed.data : null;

  useEffect(() => {
    if (!fullscreen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setFullscreen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [fullscreen]);

  if (!card) {
    return <UnavailableShareCard title="Clip unavailable" reason="It was deleted, or it isn’t shared with you." quoted={quoted} icon />;
  }
  const name = card.author.displayName || card.author.username;
  const label = `Clip by @${card.author.username}`;
  const play = () => {
    if (phone()) setFullscreen(true);
    else setPlaying(true);
  };

  if (quoted) {
    return (
      <div className="share-card share-card--quoted" data-testid="share-card" data-status="available">
        {card.posterUrl ? <img className="share-card__thumb" src={card.posterUrl} alt="" /> : null}
        <span className="share-card__caption">
          <UserText>{name}</UserText>
          {card.caption ? (
            <>
              : <UserText>{card.caption}</UserText>
            </>
          ) : null}
        </span>
      </div>
    );
  }

  return (
    <div className="share-card" data-testid="share-card" data-status="available">
      <div className="share-card__media" style={{ aspectRatio: card.width && card.height ? `${card.width} / ${card.height}` : '9 / 16' }}>
        {playing && card.hlsUrl ? (
          <InlineClip src={card.hlsUrl} poster={card.posterUrl} label={label} className="share-card__video" />
        ) : (
          <button type="button" className="share-card__play" onClick={play} aria-label={`Play ${label}`} disabled={!card.hlsUrl}>
            {card.posterUrl ? <img src={card.posterUrl} alt="" /> : null}
            <span className="share-card__play-icon" aria-hidden="true">
              ▶
            </span>
            <span className="share-card__duration">{duration(card.durationMs)}</span>
          </button>
        )}
      </div>
      <div className="share-card__meta">
        <Link to={`/u/${card.author.username}`} className="share-card__author">
          <Avatar username={card.author.username} name={name} src={card.author.avatarUrl} size={24} />
          <UserText>{name}</UserText>
        </Link>
        {card.caption ? <p className="share-card__caption user-text">{card.caption}</p> : null}
        <div className="share-card__links">
          <Link to={`/video/${card.id}`}>Open</Link>
          {onReply ? (
            <button type="button" className="share-card__reply" onClick={onReply}>
              Reply
            </button>
          ) : null}
        </div>
      </div>
      {fullscreen && card.hlsUrl ? (
        <FullscreenClip src={card.hlsUrl} poster={card.posterUrl} label={label} caption={card.caption} author={card.author.username} onClose={() => setFullscreen(false)} />
      ) : null}
    </div>
  );
}

/** Phones: the clip fills the screen; a swipe down (or the close button) returns to the chat. */
function FullscreenClip({ src, poster, label, caption, author, onClose }: { src: string; poster: string | null; label: string; caption: string; author: string; onClose: () => void }) {
  const [startY, setStartY] = useState<number | null>(null);
  const [dy, setDy] = useState(0);
  return (
    <div
      className="share-full"
      role="dialog"
      aria-modal="true"
      aria-label={label}
      style={{ transform: dy > 0 ? `translateY(${dy}px)` : undefined }}
      onTouchStart={(e) => setStartY(e.touches[0]?.clientY ?? null)}
      onTouchMove={(e) => startY !== null && setDy(Math.max(0, (e.touches[0]?.clientY ?? startY) - startY))}
      onTouchEnd={() => {
        if (dy > 120) onClose();
        setDy(0);
        setStartY(null);
      }}
    >
      <InlineClip src={src} poster={poster} label={label} className="share-full__video" />
      <button type="button" className="share-full__close" aria-label="Back to the chat" onClick={onClose}>
        <IconClose size={24} />
      </button>
      <div className="share-full__meta">
        <strong>
          <UserText>@{author}</UserText>
        </strong>
        {caption ? <p className="user-text">{caption}</p> : null}
        <span className="share-full__hint">Swipe down to return to the chat</span>
      </div>
    </div>
  );
}

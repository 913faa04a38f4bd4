import { type ShareView, StoryCard } from '@loop/contracts';
import { Link } from 'react-router';
import { UserText } from '../../ui/UserText.tsx';
import { UnavailableShareCard } from '../sharing/UnavailableShareCard.tsx';
import './stories.css';

/** A story in a chat (a reply carries one): its picture and author; once it expires or is deleted, "Story no longer available". */
export function StoryShareCard({ share, quoted }: { share: ShareView; quoted?: boolean }) {
  const parsed = share.status === 'available' ? StoryCard.safeParse(share.card) : null;
  if (!parsed?.success) {
    return <UnavailableShareCard title="Story no longer available" className="story-card--gone" quoted={quoted} icon />;
  }
  const s = parsed.data.story;
  return (
    <Link to={`/stories/${s.author.id}`} className={`story-card${quoted ? ' story-card--quoted' : ''}`} data-testid="share-card" data-status="available" aria-label={`Story by @${s.author.username}: open`}>
      {s.posterUrl ? <img className="story-card__thumb" src={s.posterUrl} alt="" loading="lazy" /> : <span className="story-card__thumb" aria-hidden="true" />}
      <span className="story-card__text">
        <span className="story-card__label">Story</span>
        <UserText className="story-card__author">{s.author.displayName || s.author.username}</UserText>
      </span>
    </Link>
  );
}

/**
 * What a card in a chat shows once its object is gone or hidden from the reader (a deleted clip,
 * an expired story, a removed product, someone else's order or poll): one shape for every kind.
 */
export function UnavailableShareCard({ title, reason, quoted, icon, className }: { title: string; reason?: string; quoted?: boolean; icon?: boolean; className?: string }) {
  return (
    <div className={`share-card share-card--unavailable${className ? ` ${className}` : ''}${quoted ? ' share-card--quoted' : ''}`} data-testid="share-card" data-status="unavailable">
      {icon ? (
        <span className="share-card__gone" aria-hidden="true">
          ⊘
        </span>
      ) : null}
      <span>
        <strong>{title}</strong>
        {reason ? (
          <>
            <br />
            {reason}
          </>
        ) : null}
      </span>
    </div>
  );
}

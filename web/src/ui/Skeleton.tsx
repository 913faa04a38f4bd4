import './states.css';

/** A shimmering placeholder with the shape of what is loading (never fake content). */
export function Skeleton({ width = '100%', height = 16, radius, circle }: { width?: number | string; height?: number | string; radius?: number; circle?: boolean }) {
  return <span className="skeleton" aria-hidden="true" style={{ width, height, borderRadius: circle ? '50%' : radius }} />;
}

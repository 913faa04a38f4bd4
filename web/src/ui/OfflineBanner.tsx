import { IconOffline } from './icons.tsx';
import './states.css';

/** The strip across the top while the device is offline. */
export function OfflineBanner({ online }: { online: boolean }) {
  if (online) return null;
  return (
    <div className="offline-banner" role="status">
      <IconOffline size={16} />
      You’re offline
    </div>
  );
}

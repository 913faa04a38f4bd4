import { onlineManager } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';

/**
 * Whether the device is online. TanStack Query's onlineManager already listens to the
 * browser's online/offline events and pauses queries and mutations while offline; the UI
 * reads the same source so the banner and the paused requests always agree.
 */
export function useOnline(): boolean {
  return useSyncExternalStore(
    (notify) => onlineManager.subscribe(notify),
    () => onlineManager.isOnline(),
    () => true,
  );
}

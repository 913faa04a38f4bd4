import http from 'node:http';
import https from 'node:https';
import webpush from 'web-push';
import { publicOnlyLookup } from '../net/public-address.ts';

/**
 * Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291): the
 * `web-push` package builds the request (encrypts the payload for the subscription's keys and
 * signs the VAPID token); this sends it, through a lookup that refuses non-public addresses at
 * connection time, with a timeout.
 */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushOutcome {
  status: number;
  /** The push service says this subscription is no more (404, 410): forget it. */
  gone: boolean;
}

/** A new P-256 key pair, base64url, as browsers want the public one. */
export const generateVapidKeys = (): { publicKey: string; privateKey: string } => webpush.generateVAPIDKeys();

export async function sendWebPush(target: PushTarget, payload: string, vapid: VapidKeys, opts: { allowPrivate: boolean; ttlSec?: number; timeoutMs?: number; topic?: string }): Promise<PushOutcome> {
  const details = webpush.generateRequestDetails(target, payload, {
    vapidDetails: vapid,
    TTL: opts.ttlSec ?? 24 * 3600,
    contentEncoding: 'aes128gcm',
    urgency: 'normal',
    ...(opts.topic && { topic: opts.topic }),
  });
  const url = new URL(details.endpoint);
  const client = url.protocol === 'http:' && opts.allowPrivate ? http : https;
  return new Promise<PushOutcome>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: details.method,
        headers: details.headers as http.OutgoingHttpHeaders,
        lookup: publicOnlyLookup(opts.allowPrivate),
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({ status, gone: status === 404 || status === 410 });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('push service timed out')));
    req.on('error', reject);
    req.end(details.body ?? undefined);
  });
}

import type { User } from '@loop/contracts';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { IconClose, IconHeart, IconSettings } from '../../ui/icons.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { SwitchRow } from '../../ui/Switch.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { formatCount } from '../accounts/format.ts';
import { formatPrice } from '../shop/price.ts';
import { ProductSheet } from '../shop/ProductSheet.tsx';
import { useMyShops, useShopProducts } from '../shop/shop-api.ts';
import { type Live, type LivePinned, type RoomMessage, useLiveActions, useLiveRoom } from './live-api.ts';
import './live.css';

export interface LiveRoomProps {
  live: Live;
  me: User | null;
  /** The picture: the host's own camera, or the HLS player. */
  video: ReactNode;
  /** The host's "End" (stops the camera too); absent for viewers. */
  onEnd?: () => void;
  /** Shown over the video when the picture is not flowing (connecting, reconnecting). */
  notice?: string | null;
}

const SLOW_MODES = [0, 3, 10, 30];

/**
 * A live like TikTok LIVE: the picture full-bleed, the host chip with the viewer count and the
 * LIVE badge top-left, chat as a translucent list rising from the bottom-left, the pinned message
 * above it, hearts floating up on the right, an input and a heart button at the bottom. The host
 * (and moderators) get the controls: end, slow mode, followers-only, and a menu on every message
 * (pin, delete, time out, ban, make moderator). The server enforces all of it; the screen only asks.
 */
export function LiveRoom({ live, me, video, onEnd, notice }: LiveRoomProps) {
  const toast = useToast();
  const room = useLiveRoom(live.id, (m) => toast(m, 'error'));
  const actions = useLiveActions(live.id);
  const isHost = me?.id === live.host.id;
  // Moderators act from the host's menu on the server side too; the screen offers the controls to the host.
  const isMod = isHost;
  const [text, setText] = useState('');
  const [menuFor, setMenuFor] = useState<RoomMessage | null>(null);
  const [controls, setControls] = useState(false);
  /** The pinned product's sheet, open over the live (buying from it remembers the live). */
  const [productOpen, setProductOpen] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const ended = room.ended || live.status === 'ended';

  // New lines scroll into view unless the person scrolled up to read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: messages.length is the trigger
  useEffect(() => {
    const el = list.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [room.messages.length]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t || !me) return;
    if (room.send(t, me)) setText('');
  };

  /** A moderation action from a message's menu: the menu closes at once, a toast says how it went. */
  const act = (p: () => Promise<unknown>, done: string) => {
    setMenuFor(null);
    void run(p(), done);
  };
  const run = (p: Promise<unknown>, done: string) =>
    p.then(
      () => toast(done, 'success'),
      (err) => toast(describeError(err), 'error'),
    );

  return (
    <section className="live" aria-label={`${live.host.displayName}'s live`}>
      <div className="live__video">{video}</div>
      <div className="live__shade" aria-hidden="true" />

      <header className="live__top">
        <Link to={`/@${live.host.username}`} className="live__host">
          <Avatar username={live.host.username} name={live.host.displayName} src={live.host.avatarUrl} size={36} decorative />
          <span className="live__host-text">
            <UserText className="live__host-name">{live.host.displayName}</UserText>
            <span className="live__viewers" data-testid="live-viewers">
              {formatCount(live.viewerCount)} watching
            </span>
          </span>
        </Link>
        {ended ? (
          <span className="live__badge live__badge--ended">ENDED</span>
        ) : (
          <span className="live__badge" data-testid="live-badge">
            LIVE
          </span>
        )}
        <span className="live__top-end">
          {isMod ? (
            <button type="button" className="live__round" aria-label="Live settings" onClick={() => setControls(true)}>
              <IconSettings size={22} />
            </button>
          ) : null}
          {isHost && onEnd && !ended ? (
            <Button variant="danger" className="live__end" onClick={onEnd}>
              End
            </Button>
          ) : (
            <Link to="/" className="live__round" aria-label="Close">
              <IconClose size={22} />
            </Link>
          )}
        </span>
      </header>

      {live.title ? <UserText className="live__title">{live.title}</UserText> : null}
      {notice && !ended ? (
        <p className="live__notice" role="status">
          {notice}
        </p>
      ) : null}
      {ended ? (
        <div className="live__ended" role="status">
          <p className="live__ended-title">This live has ended</p>
          <Link to="/" className="live__ended-link">
            Back to Home
          </Link>
        </div>
      ) : null}

      <div className="live__hearts" aria-hidden="true">
        {room.hearts.map((h) => (
          <span key={h} className="live__heart" style={{ ['--drift' as string]: `${(h % 5) * 9 - 18}px` }}>
            <IconHeart size={28} filled />
          </span>
        ))}
      </div>

      <div className="live__bottom">
        {live.pinned?.type === 'product' && live.pinned.product ? (
          <PinnedProduct pinned={live.pinned} onOpen={setProductOpen} onUnpin={isMod ? () => void run(actions.patch.mutateAsync({ pinned: null }), 'Unpinned') : undefined} />
        ) : live.pinned ? (
          <div className="live__pinned" data-testid="live-pinned">
            <span className="live__pinned-label">📌 Pinned</span>
            {live.pinned.message ? <UserText className="live__chat-user">{live.pinned.message.user.displayName}</UserText> : null}
            <UserText className="live__pinned-text">
              {live.pinned.message?.text ?? live.pinned.product?.title ?? (live.pinned.type === 'product' ? 'A product that is no longer sold' : 'A deleted message')}
            </UserText>
            {isMod ? (
              <button type="button" className="live__pinned-close" aria-label="Unpin" onClick={() => void run(actions.patch.mutateAsync({ pinned: null }), 'Unpinned')}>
                <IconClose size={16} />
              </button>
            ) : null}
          </div>
        ) : null}
        <ol className="live__chat" ref={list} aria-label="Live chat" aria-live="polite" data-testid="live-chat">
          {room.messages.length === 0 ? <li className="live__chat-empty">Say hello 👋</li> : null}
          {room.messages.map((m) => (
            <li key={m.id} className={m.pending ? 'live__line live__line--pending' : 'live__line'} data-message-id={m.id}>
              {isMod && !m.pending && m.user.id !== me?.id ? (
                <button type="button" className="live__line-body" aria-label={`Message from ${m.user.displayName}: actions`} onClick={() => setMenuFor(m)}>
                  <LineText m={m} />
                </button>
              ) : (
                <span className="live__line-body">
                  <LineText m={m} />
                </span>
              )}
            </li>
          ))}
        </ol>
        {room.removed && !ended ? (
          <p className="live__removed" role="status">
            {room.removed}
          </p>
        ) : null}
        {ended || room.removed ? null : (
          <form className="live__compose" onSubmit={submit}>
            {me ? (
              <input
                className="live__input"
                value={text}
                onChange={(e) => setText(e.target.value)}
                placeholder={live.settings.slowModeSec > 0 ? `Slow mode: one message every ${live.settings.slowModeSec} s` : 'Add comment…'}
                aria-label="Chat message"
                maxLength={300}
                enterKeyHint="send"
              />
            ) : (
              <Link to={`/login?next=/live/${live.id}`} className="live__input live__input--link">
                Log in to chat
              </Link>
            )}
            <button type="button" className="live__round live__heart-button" aria-label="Send a heart" onClick={room.heart} disabled={!me}>
              <IconHeart size={24} filled />
            </button>
          </form>
        )}
      </div>

      <Sheet open={menuFor !== null} onClose={() => setMenuFor(null)} title={menuFor ? `${menuFor.user.displayName}` : ''}>
        {menuFor ? (
          <div className="live__menu">
            <p className="live__menu-quote">
              <UserText>{menuFor.text}</UserText>
            </p>
            <Button block onClick={() => act(() => actions.patch.mutateAsync({ pinned: { type: 'message', id: menuFor.id } }), 'Pinned')}>
              Pin message
            </Button>
            <Button
              block
              onClick={() => {
                setMenuFor(null);
                room.removeLocally(menuFor.id);
                void run(actions.deleteMessage.mutateAsync(menuFor.id), 'Message deleted');
              }}
            >
              Delete message
            </Button>
            <Button block onClick={() => act(() => actions.ban.mutateAsync({ userId: menuFor.user.id, durationSec: 300 }), 'Timed out for 5 minutes')}>
              Time out 5 minutes
            </Button>
            <Button block variant="danger" onClick={() => act(() => actions.ban.mutateAsync({ userId: menuFor.user.id }), 'Banned from this live')}>
              Ban from this live
            </Button>
            {isHost ? (
              <Button block onClick={() => act(() => actions.moderator.mutateAsync({ userId: menuFor.user.id, on: true }), 'Made a moderator')}>
                Make moderator
              </Button>
            ) : null}
          </div>
        ) : null}
      </Sheet>

      <Sheet open={controls} onClose={() => setControls(false)} title="Live settings">
        <div className="live__controls">
          <SwitchRow
            label="Followers only"
            hint="Only people who follow you can chat."
            checked={live.settings.followersOnly}
            onChange={(followersOnly) => void run(actions.patch.mutateAsync({ followersOnly }), followersOnly ? 'Followers-only chat' : 'Everyone can chat')}
          />
          <fieldset className="live__slow">
            <legend>Slow mode</legend>
            <div className="live__slow-options">
              {SLOW_MODES.map((s) => (
                <button
                  key={s}
                  type="button"
                  className={live.settings.slowModeSec === s ? 'live__chip live__chip--on' : 'live__chip'}
                  aria-pressed={live.settings.slowModeSec === s}
                  onClick={() => void run(actions.patch.mutateAsync({ slowModeSec: s }), s ? `Slow mode: ${s} s` : 'Slow mode off')}
                >
                  {s === 0 ? 'Off' : `${s} s`}
                </button>
              ))}
            </div>
          </fieldset>
          {isHost ? (
            <PinProductPicker
              pinnedId={live.pinned?.type === 'product' ? live.pinned.id : null}
              onPin={(id, title) => {
                setControls(false);
                void run(actions.patch.mutateAsync({ pinned: { type: 'product', id } }), `Pinned ${title}`);
              }}
            />
          ) : null}
          <p className="live__controls-hint">Tap a message in the chat to pin it, delete it, time out or ban its author{isHost ? ', or make them a moderator' : ''}.</p>
        </div>
      </Sheet>
      <ProductSheet productId={productOpen} source={{ type: 'live', id: live.id }} onClose={() => setProductOpen(null)} />
    </section>
  );
}

/** The pinned product above the chat (TikTok LIVE's shopping card): a tap opens its sheet over the live. */
function PinnedProduct({ pinned, onOpen, onUnpin }: { pinned: LivePinned; onOpen: (id: string) => void; onUnpin?: () => void }) {
  const p = pinned.product!;
  return (
    <div className="live__product" data-testid="live-pinned-product">
      <button type="button" className="live__product-open" onClick={() => onOpen(p.id)} aria-label={`${p.title}, ${formatPrice(p.priceMinor, p.currency)}: see the product`}>
        {p.imageUrls[0] ? <img className="live__product-image" src={p.imageUrls[0]} alt="" /> : <span className="live__product-image" aria-hidden="true">🛍</span>}
        <span className="live__product-text">
          <UserText className="live__product-title">{p.title}</UserText>
          <span className="live__product-price">{p.available > 0 ? formatPrice(p.priceMinor, p.currency) : 'Sold out'}</span>
        </span>
        <span className="live__product-buy" aria-hidden="true">
          Buy
        </span>
      </button>
      {onUnpin ? (
        <button type="button" className="live__pinned-close" aria-label="Unpin" onClick={onUnpin}>
          <IconClose size={16} />
        </button>
      ) : null}
    </div>
  );
}

/** The host's products (every shop of theirs) to pin one over the live; the server checks it is theirs. */
function PinProductPicker({ pinnedId, onPin }: { pinnedId: string | null; onPin: (id: string, title: string) => void }) {
  const shops = useMyShops();
  if (!shops.data?.length) return null;
  return (
    <fieldset className="live__pin-products">
      <legend>Pin a product</legend>
      {shops.data.map((shop) => (
        <ShopProductsToPin key={shop.id} shopId={shop.id} pinnedId={pinnedId} onPin={onPin} />
      ))}
    </fieldset>
  );
}

function ShopProductsToPin({ shopId, pinnedId, onPin }: { shopId: string; pinnedId: string | null; onPin: (id: string, title: string) => void }) {
  const products = useShopProducts(shopId);
  return (
    <ul className="live__pin-list">
      {(products.data ?? []).map((p) => (
        <li key={p.id}>
          <button type="button" className={p.id === pinnedId ? 'live__chip live__chip--on' : 'live__chip'} aria-pressed={p.id === pinnedId} onClick={() => onPin(p.id, p.title)}>
            <UserText>{p.title}</UserText> · {formatPrice(p.priceMinor, p.currency)}
          </button>
        </li>
      ))}
    </ul>
  );
}

function LineText({ m }: { m: RoomMessage }) {
  return (
    <>
      <UserText className="live__chat-user">{m.user.displayName}</UserText> <UserText className="live__chat-text">{m.text}</UserText>
    </>
  );
}

import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { IconAlert, IconCheck } from './icons.tsx';
import './states.css';

type Tone = 'info' | 'error' | 'success';
interface ToastItem {
  id: number;
  /** Text, or text with people's names in <UserText>. */
  message: ReactNode;
  tone: Tone;
}

type ShowToast = (message: ReactNode, tone?: Tone) => void;
const ToastContext = createContext<ShowToast>(() => {});

/** Quiet, self-dismissing messages (a rolled-back change, a saved setting). */
export function useToast(): ShowToast {
  return useContext(ToastContext);
}

const TOAST_MS = 4000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const show = useCallback<ShowToast>((message, tone = 'info') => {
    const id = next.current++;
    // At most three at once; the oldest goes first.
    setItems((list) => [...list.slice(-2), { id, message, tone }]);
    setTimeout(() => setItems((list) => list.filter((t) => t.id !== id)), TOAST_MS);
  }, []);
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={`toast toast--${t.tone}`}>
            {t.tone === 'error' ? <IconAlert size={18} /> : t.tone === 'success' ? <IconCheck size={18} /> : null}
            <span>{t.message}</span>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

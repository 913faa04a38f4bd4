import { type ReactNode, useEffect, useId, useRef } from 'react';
import { Button } from './Button.tsx';
import { IconClose } from './icons.tsx';
import './sheet.css';

export interface SheetProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
}

/**
 * A modal: a bottom sheet on phones, a centred dialog on desktop. Built on <dialog> so focus is
 * trapped, Esc closes it and the rest of the page is inert, as the platform does it.
 */
export function Sheet({ open, onClose, title, children }: SheetProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Esc closes it (the dialog's cancel event); the click is only for taps on the backdrop.
    <dialog
      ref={ref}
      className="sheet"
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      // A tap on the backdrop (the dialog element itself, outside the panel) closes.
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      {open ? (
        <div className="sheet__panel">
          <div className="sheet__grabber" aria-hidden="true" />
          <div className="sheet__head">
            <h2 className="sheet__title" id={titleId}>
              {title}
            </h2>
            <Button variant="ghost" icon aria-label="Close" onClick={onClose}>
              <IconClose size={22} />
            </Button>
          </div>
          <div className="sheet__body">{children}</div>
        </div>
      ) : null}
    </dialog>
  );
}

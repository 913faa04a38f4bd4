import { type ReactNode, useEffect } from 'react';
import { useNavigate } from 'react-router';
import { Button } from './Button.tsx';
import { IconBack } from './icons.tsx';
import './page.css';

export interface TopBarProps {
  title: ReactNode;
  /** Shows a back button (history back, or `backTo` when there is no history). */
  back?: boolean;
  backTo?: string;
  start?: ReactNode;
  end?: ReactNode;
}

/** The bar at the top of a screen: back, title, actions. Sticky, opaque, inside the safe area. */
export function TopBar({ title, back, backTo = '/', start, end }: TopBarProps) {
  const navigate = useNavigate();
  useDocumentTitle(typeof title === 'string' ? title : null);
  return (
    <header className="topbar">
      <div className="topbar__start">
        {back ? (
          <Button
            variant="ghost"
            icon
            aria-label="Back"
            onClick={() => (window.history.state?.idx > 0 ? navigate(-1) : navigate(backTo, { replace: true }))}
          >
            <IconBack size={26} />
          </Button>
        ) : (
          start
        )}
      </div>
      <h1 className="topbar__title">{title}</h1>
      <div className="topbar__end">{end}</div>
    </header>
  );
}

/** The centred content column of a screen. */
export function Page({ children, flush }: { children: ReactNode; flush?: boolean }) {
  return <div className={`page${flush ? ' page--flush' : ''}`}>{children}</div>;
}

/** Sets the browser tab / history title to "<title> · Loop" while the screen is shown. */
export function useDocumentTitle(title: string | null) {
  useEffect(() => {
    if (title) document.title = `${title} · Loop`;
  }, [title]);
}

import { type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes, useId } from 'react';
import { IconAlert } from './icons.tsx';
import './field.css';

interface FieldFrame {
  label: string;
  /** Shown under the field while there is no error. */
  hint?: ReactNode;
  /** Replaces the hint, marks the field invalid and is announced to screen readers. */
  error?: string | null;
  optional?: boolean;
  /** "@" for usernames, for example. */
  prefix?: string;
  /** A control at the end of the box (show-password toggle). */
  end?: ReactNode;
  /** Shows "used / max" beside the label. */
  counter?: { used: number; max: number };
}

function Frame({ id, frame, children }: { id: string; frame: FieldFrame; children: ReactNode }) {
  const { label, hint, error, optional, prefix, end, counter } = frame;
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <div className="field__label-row">
        <label className="field__label" htmlFor={id}>
          {label}
          {optional ? <span className="field__optional"> (optional)</span> : null}
        </label>
        {counter ? (
          <span className={`field__counter${counter.used > counter.max ? ' field__counter--over' : ''}`} aria-hidden="true">
            {counter.used}/{counter.max}
          </span>
        ) : null}
      </div>
      <div className="field__box">
        {prefix ? (
          <span className="field__prefix" aria-hidden="true">
            {prefix}
          </span>
        ) : null}
        {children}
        {end ? <span className="field__end">{end}</span> : null}
      </div>
      {error ? (
        <p className="field__error" id={`${id}-err`} role="alert">
          <IconAlert size={16} />
          {error}
        </p>
      ) : null}
      {hint ? (
        <div className="field__hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

type FrameProps = FieldFrame & { id?: string };

function describedBy(id: string, error: unknown, hint: unknown): string | undefined {
  return [error ? `${id}-err` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
}

/** A labelled text input with hint (kept visible), inline error and optional prefix/counter. */
export function TextField({ label, hint, error, optional, prefix, end, counter, id: given, ...input }: FrameProps & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId();
  const id = given ?? auto;
  return (
    <Frame id={id} frame={{ label, hint, error, optional, prefix, end, counter }}>
      <input
        id={id}
        className="field__input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
      />
    </Frame>
  );
}

/** The multi-line sibling of TextField (bios, captions). */
export function TextArea({ label, hint, error, optional, counter, id: given, ...input }: FrameProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const auto = useId();
  const id = given ?? auto;
  return (
    <Frame id={id} frame={{ label, hint, error, optional, counter }}>
      <textarea
        id={id}
        className="field__input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
      />
    </Frame>
  );
}

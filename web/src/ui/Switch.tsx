import { type ChangeEvent, useId } from 'react';
import './controls.css';

export interface SwitchRowProps {
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}

/** A settings row with a label, a hint and an on/off switch; the whole row is the tap target. */
export function SwitchRow({ label, hint, checked, onChange, disabled }: SwitchRowProps) {
  const id = useId();
  return (
    <label className="switch-row" htmlFor={id}>
      <span className="switch-row__text">
        <span className="switch-row__label">{label}</span>
        {hint ? (
          <span className="switch-row__hint" id={`${id}-hint`}>
            {hint}
          </span>
        ) : null}
      </span>
      <input
        id={id}
        type="checkbox"
        role="switch"
        aria-checked={checked}
        className="switch"
        checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.checked)}
      />
    </label>
  );
}

export interface ChoiceGroupProps<T extends string> {
  legend: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string; hint?: string }>;
  onChange: (value: T) => void;
}

/** A labelled group of radio rows (one choice of a few). */
export function ChoiceGroup<T extends string>({ legend, value, options, onChange }: ChoiceGroupProps<T>) {
  const name = useId();
  return (
    <fieldset className="group">
      <legend className="visually-hidden">{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="choice-row">
          <span className="choice-row__text">
            <span className="choice-row__label">{o.label}</span>
            {o.hint ? <span className="choice-row__hint">{o.hint}</span> : null}
          </span>
          <input type="radio" className="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
        </label>
      ))}
    </fieldset>
  );
}

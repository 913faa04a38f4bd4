import { type KeyboardEvent, useRef } from 'react';
import { Button } from './Button.tsx';
import { IconClose, IconSearch } from './icons.tsx';
import './search-box.css';

/**
 * The search field of People search and Discover: a magnifier, the input (no autocorrect: names and
 * tags are not words) and a clear button that puts the focus back in the field.
 */
export function SearchBox({
  value,
  onChange,
  placeholder,
  label,
  maxLength,
  onKeyDown,
}: {
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  label: string;
  maxLength: number;
  onKeyDown?: (e: KeyboardEvent<HTMLInputElement>) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="search-box">
      <IconSearch size={20} />
      <input
        ref={input}
        type="search"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder={placeholder}
        aria-label={label}
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        enterKeyHint="search"
        maxLength={maxLength}
      />
      {value ? (
        <Button
          variant="ghost"
          icon
          className="search-box__clear"
          aria-label="Clear search"
          onClick={() => {
            onChange('');
            input.current?.focus();
          }}
        >
          <IconClose size={18} />
        </Button>
      ) : null}
    </div>
  );
}

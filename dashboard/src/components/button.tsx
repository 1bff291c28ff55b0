/** A button: `primary`, `secondary`, `danger` or `ghost`; `busy` disables it and says so to screen readers. */
import type { ButtonHTMLAttributes } from 'preact';

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'class'> {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  busy?: boolean;
}

export function Button({ variant = 'secondary', busy = false, type = 'button', disabled, children, ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} class={`button button-${variant}`} disabled={disabled || busy} aria-busy={busy}>
      {children}
    </button>
  );
}

/**
 * A labelled control with its help and error text. `render` gets the ids to put on the
 * control, so the label, the help and the error are tied to it for screen readers.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

/** The attributes a control inside a FormField needs. */
export interface ControlIds {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

export interface FormFieldProps {
  label: string;
  /** The error to show under the control (see fieldErrors in field-errors.ts). */
  error?: string;
  help?: string;
  /** The label after the control (checkboxes). */
  labelAfter?: boolean;
  render: (ids: ControlIds) => ComponentChildren;
}

export function FormField({ label, error, help, labelAfter = false, render }: FormFieldProps) {
  const id = useId();
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const control = render({ id, 'aria-describedby': described || undefined, 'aria-invalid': error ? true : undefined });
  const labelTag = <label for={id}>{label}</label>;
  return (
    <div class={`field${error ? ' field-invalid' : ''}${labelAfter ? ' field-inline' : ''}`}>
      {labelAfter ? <>{control}{labelTag}</> : <>{labelTag}{control}</>}
      {help ? <p class="field-help" id={`${id}-help`}>{help}</p> : null}
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
    </div>
  );
}

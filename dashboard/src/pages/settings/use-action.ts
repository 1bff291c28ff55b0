/** A dialog's one request: whether it runs, and the errors of its last failure for the form. */
import { useState } from 'preact/hooks';
import { formErrors, type FormErrors } from '../../field-errors.js';

export interface Action {
  busy: boolean;
  errors: FormErrors;
  /** Runs `work`; a throw becomes `errors`, success clears them. Resolves whether it succeeded. */
  run(work: () => Promise<unknown>): Promise<boolean>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await work();
      return true;
    } catch (err) {
      setErrors(formErrors(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, errors, run };
}

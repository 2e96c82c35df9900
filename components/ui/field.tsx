import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

/** The look of every text input, select and text area; `className` on a field adds to it (usually a width). */
const CONTROL = "block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-950";

/** What a control needs from its field: the id its label points at, and what describes it. */
export interface FieldControlProps {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

export interface FieldProps {
  label: ReactNode;
  /** Help shown under the control and read out with it. */
  hint?: ReactNode;
  /** What is wrong with the value; read out with the control, which is marked invalid. */
  error?: ReactNode;
  /** Visually hidden label, for a control whose purpose its surroundings make plain (it is still read out). */
  isLabelHidden?: boolean;
  /** Classes of the wrapper (layout: block in a form grid, inline in a filter bar). */
  fieldClassName?: string;
}

/**
 * One labelled form control: the label points at the control by id, the hint
 * and the error are tied to it with aria-describedby, so a screen reader
 * reads all three and `getByLabel` finds the control.
 */
export function Field({ label, hint, error, isLabelHidden = false, fieldClassName = "block text-sm font-medium", children }: FieldProps & { children: (control: FieldControlProps) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter((part) => part !== null).join(" ");
  return (
    <div className={fieldClassName}>
      <label htmlFor={id} className={isLabelHidden ? "sr-only" : undefined}>
        {label}
      </label>
      {children({ id, "aria-describedby": describedBy || undefined, "aria-invalid": error ? true : undefined })}
      {hint ? (
        <p id={hintId} className="mt-1 text-xs font-normal text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="mt-1 text-sm font-normal text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function controlClass(className: string | undefined, isLabelHidden: boolean | undefined): string {
  return `${CONTROL} ${isLabelHidden ? "" : "mt-1"} ${className ?? "w-full"}`;
}

export function TextField({ label, hint, error, isLabelHidden, fieldClassName, className, ...props }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} hint={hint} error={error} isLabelHidden={isLabelHidden} fieldClassName={fieldClassName}>
      {(control) => <input {...control} className={controlClass(className, isLabelHidden)} {...props} />}
    </Field>
  );
}

export function SelectField({ label, hint, error, isLabelHidden, fieldClassName, className, children, ...props }: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  return (
    <Field label={label} hint={hint} error={error} isLabelHidden={isLabelHidden} fieldClassName={fieldClassName}>
      {(control) => (
        <select {...control} className={controlClass(className, isLabelHidden)} {...props}>
          {children}
        </select>
      )}
    </Field>
  );
}

export function TextAreaField({ label, hint, error, isLabelHidden, fieldClassName, className, ...props }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Field label={label} hint={hint} error={error} isLabelHidden={isLabelHidden} fieldClassName={fieldClassName}>
      {(control) => <textarea {...control} className={controlClass(className, isLabelHidden)} {...props} />}
    </Field>
  );
}

/** A checkbox with its label beside it; the label wraps the box, so a click on the text toggles it. */
export function CheckboxField({ label, fieldClassName = "flex items-center gap-2 text-sm", ...props }: { label: ReactNode; fieldClassName?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "type">) {
  return (
    <label className={fieldClassName}>
      <input type="checkbox" {...props} />
      {label}
    </label>
  );
}

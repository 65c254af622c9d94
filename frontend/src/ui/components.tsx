// Atlaskit-looking building blocks styled with Atlassian design tokens (no Atlaskit runtime).
import type { ComponentChildren, JSX } from 'preact';

type ButtonAppearance = 'default' | 'primary' | 'subtle' | 'danger' | 'link' | 'warning';

export function Button(props: {
  appearance?: ButtonAppearance;
  onClick?: (e: MouseEvent) => void;
  disabled?: boolean;
  loading?: boolean;
  type?: 'button' | 'submit';
  label?: string;
  class?: string;
  children: ComponentChildren;
  testId?: string;
  ariaExpanded?: boolean;
  ariaControls?: string;
}) {
  const a = props.appearance ?? 'default';
  return (
    <button
      type={props.type ?? 'button'}
      class={`ds-button ds-button--${a}${props.loading ? ' is-loading' : ''}${props.class ? ` ${props.class}` : ''}`}
      onClick={props.onClick}
      disabled={props.disabled || props.loading}
      aria-busy={props.loading ? 'true' : undefined}
      aria-label={props.label}
      aria-expanded={props.ariaExpanded}
      aria-controls={props.ariaControls}
      data-testid={props.testId}
    >
      {props.loading && <span class="ds-spinner ds-spinner--small" aria-hidden="true" />}
      <span class="ds-button__label">{props.children}</span>
    </button>
  );
}

export function Spinner(props: { label?: string; size?: 'small' | 'medium' }) {
  return (
    <span class="ds-spinner-wrap" role="status">
      <span class={`ds-spinner ds-spinner--${props.size ?? 'medium'}`} aria-hidden="true" />
      <span class="ds-visually-hidden">{props.label ?? 'Loading'}</span>
    </span>
  );
}

export type LozengeAppearance = 'default' | 'inprogress' | 'success' | 'removed' | 'new' | 'moved';

/** Maps a Jira status name to a lozenge colour (todo grey, in progress blue, done green). */
export function statusAppearance(status: string): LozengeAppearance {
  const s = status.toLowerCase();
  if (/(done|closed|resolved|complete|fixed)/.test(s)) return 'success';
  if (/(progress|review|testing|development|doing)/.test(s)) return 'inprogress';
  return 'default';
}

export function Lozenge(props: { appearance?: LozengeAppearance; children: ComponentChildren; title?: string }) {
  return (
    <span class={`ds-lozenge ds-lozenge--${props.appearance ?? 'default'}`} title={props.title}>
      {props.children}
    </span>
  );
}

type MessageAppearance = 'information' | 'warning' | 'error' | 'success' | 'discovery';

const ICONS: Record<MessageAppearance, string> = {
  information: 'i',
  warning: '!',
  error: '!',
  success: '✓',
  discovery: '?',
};

export function SectionMessage(props: {
  appearance?: MessageAppearance;
  title?: string;
  children?: ComponentChildren;
  actions?: ComponentChildren;
  testId?: string;
}) {
  const a = props.appearance ?? 'information';
  return (
    <section
      class={`ds-section-message ds-section-message--${a}`}
      role={a === 'error' ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      <span class="ds-section-message__icon" aria-hidden="true">
        {ICONS[a]}
      </span>
      <div class="ds-section-message__content">
        {props.title && <h2 class="ds-section-message__title">{props.title}</h2>}
        {props.children && <div class="ds-section-message__body">{props.children}</div>}
        {props.actions && <div class="ds-section-message__actions">{props.actions}</div>}
      </div>
    </section>
  );
}

export function ProgressBar(props: { value: number | null; label: string }) {
  const indeterminate = props.value === null;
  return (
    <div
      class={`ds-progress${indeterminate ? ' is-indeterminate' : ''}`}
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : props.value ?? 0}
    >
      <div class="ds-progress__bar" style={indeterminate ? undefined : { width: `${props.value}%` }} />
    </div>
  );
}

export function Field(props: { id: string; label: string; help?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class="ds-field">
      <label class="ds-field__label" for={props.id}>
        {props.label}
      </label>
      {props.children}
      {props.help && !props.error && (
        <div class="ds-field__help" id={`${props.id}-help`}>
          {props.help}
        </div>
      )}
      {props.error && (
        <div class="ds-field__error" id={`${props.id}-error`} role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}

export function Toggle(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  help?: string;
  disabled?: boolean;
}) {
  return (
    <div class="ds-toggle-row">
      <span class="ds-toggle">
        <input
          id={props.id}
          type="checkbox"
          role="switch"
          checked={props.checked}
          disabled={props.disabled}
          aria-describedby={props.help ? `${props.id}-help` : undefined}
          onChange={(e: JSX.TargetedEvent<HTMLInputElement>) => props.onChange(e.currentTarget.checked)}
        />
        <span class="ds-toggle__track" aria-hidden="true" />
      </span>
      <span>
        <label for={props.id} class="ds-toggle__label">
          {props.label}
        </label>
        {props.help && (
          <div class="ds-field__help" id={`${props.id}-help`}>
            {props.help}
          </div>
        )}
      </span>
    </div>
  );
}

export function Tag(props: { children: ComponentChildren }) {
  return <span class="ds-tag">{props.children}</span>;
}

export function EmptyState(props: { title: string; children?: ComponentChildren; testId?: string }) {
  return (
    <div class="ds-empty" data-testid={props.testId}>
      <div class="ds-empty__title">{props.title}</div>
      {props.children && <div class="ds-empty__body">{props.children}</div>}
    </div>
  );
}

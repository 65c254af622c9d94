// The admin page's detection settings form: threshold, field weights, projects, issue types, toggles, rescan schedule.
import type { JSX } from 'preact';
import { FIELD_NAMES, type TenantConfig } from '../api';
import { Button, Field, Toggle } from '../ui/components';
import { percent } from '../ui/format';
import { FIELD_LABELS } from './config';
import type { Settings } from './useSettings';

const num = (e: JSX.TargetedEvent<HTMLInputElement>) => Number(e.currentTarget.value);

/** `config` is `settings.config` once loaded. */
export function SettingsForm(props: { settings: Settings; config: TenantConfig }) {
  const s = props.settings;
  const { config } = props;
  const { setConfig, projectsText, setProjectsText, typesText, setTypesText, errors, saving } = s;
  return (
    <form class="ds-card" onSubmit={s.save} aria-labelledby="settings-h" noValidate data-testid="settings-form">
      <h2 id="settings-h">Detection</h2>
      <Field
        id="threshold"
        label={`Similarity threshold: ${percent(config.threshold)}`}
        help="Suggest issues at least this similar. Lower finds more, with more false alarms."
        error={errors.threshold}
      >
        <input
          id="threshold"
          class="ds-range"
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={config.threshold}
          aria-valuetext={percent(config.threshold)}
          onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setConfig({ ...config, threshold: num(e) })}
        />
      </Field>
      <fieldset class="doppel-fieldset">
        <legend>Field weights</legend>
        <div class="doppel-weights">
          {FIELD_NAMES.map((f) => (
            <Field key={f} id={`weight-${f}`} label={FIELD_LABELS[f]} error={errors[`weight-${f}`]}>
              <input
                id={`weight-${f}`}
                class="ds-input ds-input--number"
                type="number"
                min={0}
                max={10}
                step={0.1}
                value={config.fieldWeights[f]}
                onInput={(e: JSX.TargetedEvent<HTMLInputElement>) =>
                  setConfig({ ...config, fieldWeights: { ...config.fieldWeights, [f]: num(e) } })
                }
              />
            </Field>
          ))}
        </div>
      </fieldset>
      <Field id="projects" label="Projects" help="Project keys separated by commas. Leave empty for all projects." error={errors.projects}>
        <input
          id="projects"
          class="ds-input"
          value={projectsText}
          placeholder="All projects"
          onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setProjectsText(e.currentTarget.value)}
        />
      </Field>
      <Field id="issue-types" label="Issue types" help="Issue type names separated by commas. Leave empty for all types.">
        <input
          id="issue-types"
          class="ds-input"
          value={typesText}
          placeholder="All issue types"
          onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setTypesText(e.currentTarget.value)}
        />
      </Field>
      <Toggle
        id="cross-project"
        label="Suggest duplicates across projects"
        checked={config.crossProject}
        onChange={(v) => setConfig({ ...config, crossProject: v })}
      />
      <Toggle
        id="comment-on-create"
        label="Comment on new issues that look like duplicates"
        help="Adds a comment listing the likely duplicates when an issue is created."
        checked={config.commentOnCreate}
        onChange={(v) => setConfig({ ...config, commentOnCreate: v })}
      />
      <Field id="rescan-schedule" label="Rescan schedule" help="Periodically recompute suggestions for the whole site.">
        <select
          id="rescan-schedule"
          class="ds-select"
          value={config.rescanSchedule}
          onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) =>
            setConfig({ ...config, rescanSchedule: e.currentTarget.value as TenantConfig['rescanSchedule'] })
          }
        >
          <option value="off">Off</option>
          <option value="daily">Daily</option>
          <option value="weekly">Weekly</option>
        </select>
      </Field>
      <Button appearance="primary" type="submit" loading={saving} testId="save">
        Save settings
      </Button>
    </form>
  );
}

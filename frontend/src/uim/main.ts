// UI modifications entry (jira:uiModifications, Forge only): likely duplicates of the draft under the Summary field.
import { createHintController, CHANGED_FIELDS, type DraftContext } from './controller';
import { answerBody } from './hints';

/** Past this the callback gives up and changes nothing (Forge allows remote UI calls 25 s). */
const HINT_TIMEOUT_MS = 8000;

async function start(): Promise<void> {
  // Loaded like the other Custom UI pages load @forge/bridge: both packages reach the host through window.__bridge.
  const [{ uiModificationsApi }, bridge] = await Promise.all([import('@forge/jira-bridge'), import('@forge/bridge')]);
  const controller = createHintController({
    timeoutMs: HINT_TIMEOUT_MS,
    // invokeRemote: through the module's resolver endpoint (doppel-ui), a user invocation (the FIT names the typing user).
    similar: async (body) =>
      answerBody(await bridge.invokeRemote({ path: '/api/similar', method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body })),
    context: async (): Promise<DraftContext> => {
      const c = (await bridge.view.getContext()) as { extension?: { project?: { key?: string }; issueType?: { name?: string } } };
      return { projectKey: c?.extension?.project?.key, issueType: c?.extension?.issueType?.name };
    },
  });
  await Promise.all([
    uiModificationsApi.onInit(({ api }) => controller.onInit(api), () => [...CHANGED_FIELDS]),
    uiModificationsApi.onChange(({ api, change }) => controller.onChange(api, change), ({ change }) => controller.fieldsFor(change)),
  ]);
}

// Any failure to start leaves the dialog exactly as Jira made it.
start().catch(() => undefined);

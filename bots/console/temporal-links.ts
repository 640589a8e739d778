/** A workflow's page in the Temporal Web UI (`/namespaces/<ns>/workflows/<id>`), when a UI is known. */
export function workflowUrl(uiUrl: string | undefined, namespace: string, workflowId: string): string | null {
  if (!uiUrl) return null;
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

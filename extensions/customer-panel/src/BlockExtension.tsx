/** @jsxImportSource preact */
// The customer panel: a block on Shopify's customer page (admin.customer-details.block.render) with
// the CRM's figures, tier and points, owner, RFM segment and predictions, latest pinned notes and open follow-ups,
// and a quick "add note". It talks
// to the app's api/panel/<id> endpoint; Shopify adds the session token to that fetch.
// (The pragma above: the repository's root tsconfig compiles JSX for React, this file is Preact.)
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";

import { checkNote, isPanelPayload, noteRequest, panelUrl, saveError, toPanelView, type FormatDate, type PanelView, type Translate } from "./panel-model";

export default async () => {
  render(<CustomerPanel />, document.body);
};

type Load = { state: "loading" } | { state: "failed"; error: string } | { state: "ready"; view: PanelView };

/** A row of labelled figures that wraps on a narrow block. */
function Figures({ figures }: { figures: Array<{ label: string; value: string }> }) {
  return (
    <s-stack direction="inline" gap="large">
      {figures.map((figure) => (
        <s-stack key={figure.label} direction="block" gap="none">
          <s-text color="subdued">{figure.label}</s-text>
          <s-text type="strong">{figure.value}</s-text>
        </s-stack>
      ))}
    </s-stack>
  );
}

function CustomerPanel() {
  const { i18n, data } = shopify;
  const translate = useCallback<Translate>((key, options) => i18n.translate(key, options), [i18n]);
  const formatDate = useCallback<FormatDate>((date, options) => i18n.formatDate(date, options), [i18n]);
  // The locale files carry their own tag, so the figures are formatted in the language the block speaks.
  const url = panelUrl(data.selected[0]?.id, translate("locale"));

  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [draft, setDraft] = useState("");
  const [pinned, setPinned] = useState(false);
  const [saving, setSaving] = useState(false);
  const [noteError, setNoteError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const refresh = useCallback(async () => {
    if (!url) return setLoad({ state: "failed", error: translate("errors.notFound") });
    try {
      const response = await fetch(url);
      if (response.status === 404) return setLoad({ state: "failed", error: translate("errors.notFound") });
      const payload: unknown = response.ok ? await response.json() : null;
      if (!isPanelPayload(payload)) return setLoad({ state: "failed", error: translate("errors.loadFailed") });
      setLoad({ state: "ready", view: toPanelView(payload, { translate, formatDate }) });
    } catch {
      setLoad({ state: "failed", error: translate("errors.loadFailed") });
    }
  }, [url, translate, formatDate]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const saveNote = async () => {
    if (!url || saving) return;
    const check = checkNote(draft, translate);
    setSaved(false);
    if (!check.ok) return setNoteError(check.error);
    setNoteError(null);
    setSaving(true);
    try {
      const response = await fetch(url, noteRequest(check.body, pinned));
      if (!response.ok) return setNoteError(saveError(response.status, translate));
      setDraft("");
      setPinned(false);
      setSaved(true);
      await refresh();
    } catch {
      setNoteError(translate("errors.saveFailed"));
    } finally {
      setSaving(false);
    }
  };

  const view = load.state === "ready" ? load.view : null;
  return (
    <s-admin-block heading={translate("title")} {...(view ? { collapsedSummary: view.collapsedSummary } : {})}>
      {load.state === "loading" && (
        <s-stack direction="inline" gap="small-200" alignItems="center">
          <s-spinner accessibilityLabel={translate("loading")} />
          <s-text>{translate("loading")}</s-text>
        </s-stack>
      )}
      {load.state === "failed" && (
        <s-banner tone="critical">
          <s-text>{load.error}</s-text>
          <s-button slot="secondary-actions" onClick={() => void refresh()}>
            {translate("retry")}
          </s-button>
        </s-banner>
      )}
      {view && (
        <s-stack direction="block" gap="base">
          <Figures figures={[...view.figures, ...view.loyalty.figures, view.owner]} />
          {view.loyalty.next && <s-text color="subdued">{view.loyalty.next}</s-text>}

          {view.insights && (
            <>
              <s-divider />
              <s-heading>{view.insights.title}</s-heading>
              {view.insights.pending && <s-text color="subdued">{view.insights.pending}</s-text>}
              {view.insights.figures.length > 0 && <Figures figures={view.insights.figures} />}
              {view.insights.reason && <s-text color="subdued">{view.insights.reason}</s-text>}
              <s-text color="subdued">{view.insights.segments}</s-text>
            </>
          )}

          {view.suggestions && (
            <>
              <s-divider />
              <s-heading>{view.suggestions.title}</s-heading>
              {view.suggestions.empty && <s-text color="subdued">{view.suggestions.empty}</s-text>}
              {view.suggestions.items.map((item) => (
                <s-stack key={item.title} direction="block" gap="none">
                  <s-stack direction="inline" gap="small-200">
                    <s-text>{item.title}</s-text>
                    {item.due && <s-badge tone="warning">{translate("suggestions.due")}</s-badge>}
                  </s-stack>
                  <s-text color="subdued">{item.reason}</s-text>
                </s-stack>
              ))}
            </>
          )}

          <s-divider />
          <s-heading>{view.pinnedNotes.title}</s-heading>
          {view.pinnedNotes.empty && <s-text color="subdued">{view.pinnedNotes.empty}</s-text>}
          {view.pinnedNotes.notes.map((note) => (
            <s-stack key={note.id} direction="block" gap="none">
              <s-paragraph>{note.body}</s-paragraph>
              <s-text color="subdued">{note.byline}</s-text>
            </s-stack>
          ))}

          <s-divider />
          <s-heading>{view.followUps.title}</s-heading>
          {view.followUps.empty && <s-text color="subdued">{view.followUps.empty}</s-text>}
          {view.followUps.items.map((item) => (
            <s-stack key={item.id} direction="block" gap="none">
              <s-stack direction="inline" gap="small-200" alignItems="center">
                <s-text>{item.body}</s-text>
                {item.overdue && <s-badge tone="critical">{translate("overdue")}</s-badge>}
              </s-stack>
              <s-text color="subdued">
                {item.due} · {item.assignee}
              </s-text>
            </s-stack>
          ))}

          <s-divider />
          <s-heading>{translate("addNote")}</s-heading>
          <s-text-area
            label={translate("noteLabel")}
            value={draft}
            rows={3}
            {...(noteError ? { error: noteError } : {})}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <s-checkbox label={translate("pinNote")} checked={pinned} onChange={(event) => setPinned(event.currentTarget.checked)} />
          {saved && <s-banner tone="success">{translate("noteSaved")}</s-banner>}
          <s-stack direction="inline" gap="base" alignItems="center">
            <s-button variant="primary" loading={saving} onClick={() => void saveNote()}>
              {translate("save")}
            </s-button>
            <s-link href={view.crmHref}>{translate("openInCrm")}</s-link>
          </s-stack>
        </s-stack>
      )}
    </s-admin-block>
  );
}

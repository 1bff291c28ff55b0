/** The tab strip of the collection editor: buttons with `aria-selected`, arrow keys move between them. */
export interface SchemaTab {
  id: string;
  label: string;
  /** Marks the tab when the last save reported an error inside it. */
  invalid?: boolean;
}

export function SchemaTabs({ tabs, current, onPick }: { tabs: readonly SchemaTab[]; current: string; onPick: (id: string) => void }) {
  const onKey = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const at = tabs.findIndex((t) => t.id === current);
    const next = tabs[(at + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
    onPick(next.id);
    document.getElementById(`schema-tab-${next.id}`)?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label="Collection settings" onKeyDown={onKey}>
      {tabs.map((tab) => (
        <button key={tab.id} id={`schema-tab-${tab.id}`} type="button" role="tab" class="tab" aria-selected={tab.id === current}
          aria-controls="schema-panel" tabIndex={tab.id === current ? 0 : -1} onClick={() => onPick(tab.id)}>
          {tab.label}{tab.invalid ? <span class="tab-error" aria-label="has errors"> •</span> : null}
        </button>
      ))}
    </div>
  );
}

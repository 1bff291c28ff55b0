/** One log entry in a drawer: its fields, every key of its data, and the whole entry as JSON. */
import type { LogModel } from 'pocketbase';
import { Drawer } from '../../components/drawer.js';
import { levelClass, levelLabel } from './log-levels.js';

export function LogDetail({ log, onClose }: { log: LogModel | null; onClose: () => void }) {
  return (
    <Drawer open={log !== null} title="Log entry" onClose={onClose}>
      {log ? (
        <>
          <table class="log-detail">
            <tbody>
              <tr><th scope="row">id</th><td><code>{log.id}</code></td></tr>
              <tr><th scope="row">created</th><td>{log.created}</td></tr>
              <tr><th scope="row">level</th><td><span class={levelClass(log.level)}>{levelLabel(log.level)}</span> ({String(log.level)})</td></tr>
              <tr><th scope="row">message</th><td>{log.message}</td></tr>
              {Object.entries(log.data ?? {}).map(([key, value]) => (
                <tr key={key}><th scope="row">data.{key}</th><td><code>{typeof value === 'string' ? value : JSON.stringify(value)}</code></td></tr>
              ))}
            </tbody>
          </table>
          <h3 class="log-detail-json-title">JSON</h3>
          <pre class="log-detail-json" tabIndex={0} aria-label="The entry as JSON">{JSON.stringify(log, null, 2)}</pre>
        </>
      ) : null}
    </Drawer>
  );
}

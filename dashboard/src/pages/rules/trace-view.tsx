/**
 * One action's answer in the rule tester: allowed or denied, the rule, and its trace with the
 * parts that decided marked (trace-tree.ts).
 */
import type { Explanation, RuleAction } from './explain.js';
import { traceLines } from './trace-tree.js';

const MAX_INDENT = 6;

function resultText(result: boolean | null): string {
  if (result === null) return 'error';
  return result ? 'true' : 'false';
}

export function TraceView({ action, answer }: { action: RuleAction; answer: Explanation }) {
  const lines = answer.rule ? traceLines(answer.rule, answer.trace) : answer.trace.map((s) => ({ ...s, depth: 0, decides: false }));
  return (
    <article class="rule-tester-result" aria-label={`${action} rule result`} data-action={action}>
      <h3>
        <span class="rule-tester-action">{action}</span>
        <span class={`rule-tester-verdict ${answer.allowed ? 'allowed' : 'denied'}`}>{answer.allowed ? 'Allowed' : 'Denied'}</span>
      </h3>
      {answer.reason ? <p class="field-help">{answer.reason}</p> : null}
      {lines.length > 0 ? (
        <ol class="rule-tester-trace" aria-label={`${action} rule trace`}>
          {lines.map((line, i) => (
            <li key={i} class={`trace-depth-${Math.min(line.depth, MAX_INDENT)}${line.decides ? ' decides' : ''}`}>
              <code>{line.expr}</code>
              <span class={`trace-result trace-${resultText(line.result)}`}>{resultText(line.result)}</span>
              {line.decides && i > 0 ? <span class="trace-decides">decided</span> : null}
              {line.error ? <span class="field-error">{line.error}</span> : null}
            </li>
          ))}
        </ol>
      ) : <p class="field-help">{answer.rule === '' ? 'The rule is empty: everyone may.' : 'No trace.'}</p>}
      {answer.truncated ? <p class="field-help">The trace stops after 50 parts; the verdict covers the whole rule.</p> : null}
    </article>
  );
}

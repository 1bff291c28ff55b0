/** `#/settings/crons`: the application's and Plinth's crons (`pb.crons.getFullList`), each runnable now (`pb.crons.run`). */
import { useEffect, useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { EmptyState } from '../../components/empty-state.js';
import { Loading } from '../../components/loading.js';

type CronJob = Awaited<ReturnType<typeof pb.crons.getFullList>>[number];

export function CronsSection() {
  const [crons, setCrons] = useState<CronJob[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [running, setRunning] = useState<string | null>(null);

  useEffect(() => {
    pb.crons.getFullList({ requestKey: 'crons-list' }).then(setCrons, (err: unknown) => setError(formErrors(err).form));
  }, []);

  const run = async (id: string): Promise<void> => {
    setRunning(id);
    try {
      await pb.crons.run(id, { requestKey: null });
      toast(`Started ${id}`);
    } catch (err) {
      toast(formErrors(err).form ?? 'The cron did not start.', 'error');
    } finally {
      setRunning(null);
    }
  };

  let body;
  if (error) body = <p class="form-error" role="alert">{error}</p>;
  else if (!crons) body = <Loading />;
  else if (crons.length === 0) body = <EmptyState title="No crons" />;
  else body = (
    <table class="settings-table">
      <caption class="visually-hidden">Cron jobs</caption>
      <thead><tr><th scope="col">Job</th><th scope="col">Schedule</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        {crons.map((cron) => (
          <tr key={cron.id}>
            <th scope="row"><code>{cron.id}</code></th>
            <td><code>{cron.expression}</code></td>
            <td class="settings-row-actions">
              <Button variant="ghost" busy={running === cron.id} aria-label={`Run ${cron.id} now`} onClick={() => void run(cron.id)}>Run now</Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <section class="settings-form" aria-labelledby="crons-title">
      <h2 id="crons-title">Crons</h2>
      <p class="muted">Schedules are in UTC. "Run now" starts the job in the background.</p>
      <div aria-live="polite">{body}</div>
    </section>
  );
}

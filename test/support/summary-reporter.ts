/**
 * Mocha's spec reporter plus one plain closing line, `tests: N passed, N failed, N skipped`,
 * which CI reads (skipped = pending, e.g. Fabric tests without Fabric binaries).
 */
import Mocha from 'mocha';

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // After the spec reporter's own epilogue, which it prints on the same event.
      setImmediate(() => console.log(`tests: ${passes} passed, ${failures} failed, ${pending} skipped`));
    });
  }
}

export = SummaryReporter;

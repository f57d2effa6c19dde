// Action is the state of one thing the user can ask a peer to do (create a
// notebook, go offline, hand leadership over…): busy while it runs, and the
// error it ended with, in words, until the next try. Components show both.
import { errorText } from './format.ts';

/** Action runs a user's request and keeps its busy and error state for the page. */
export class Action {
  busy = $state(false);
  error = $state<string | null>(null);

  /** run does `work` unless it is already running; it returns true when `work` succeeded. */
  async run(work: () => Promise<unknown>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      await work();
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** fail shows `message` as the error without running anything (input the page itself refuses). */
  fail(message: string): void {
    this.error = message;
  }
}

// callOperation is the one way an adapter runs an operation of the table: it
// checks the raw input with the operation's schema, then calls the service.
// The HTTP adapter calls it with the request's fields; the desktop app's IPC
// bridge with the renderer's arguments. What it throws is a ServiceError (an
// expected refusal, with its code) or a bug.
import type * as v from 'valibot';
import type { NotesService } from '../service/notes-service.ts';
import { OPERATIONS, type AnyOperation, type OperationName } from './operations.ts';
import { checkInput } from './schemas.ts';

/** OperationInput is what operation N takes, before its schema checks it. */
export type OperationInput<N extends OperationName> = v.InferInput<(typeof OPERATIONS)[N]['input']>;

/** OperationResult is what operation N answers. */
export type OperationResult<N extends OperationName> = Awaited<ReturnType<(typeof OPERATIONS)[N]['run']>>;

/** callOperation checks `raw` with operation `name`'s schema and runs it against `service`. */
export async function callOperation<N extends OperationName>(service: NotesService, name: N, raw: unknown): Promise<OperationResult<N>> {
  const op: AnyOperation = OPERATIONS[name];
  return await op.run(service, checkInput(op.input, raw)) as OperationResult<N>;
}

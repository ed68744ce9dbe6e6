/**
 * Server-Sent Events for a counter page waiting on its request: one `state` event now, and one
 * when the wallet's presentation arrives or the request expires; then the stream ends.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RegistryError } from '../../../core/errors';
import type { Services } from '../services/index';
import { callerOf } from './middleware';

export function presentationEvents(services: Services): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { principal } = callerOf(res);
    if (principal?.kind !== 'counter') {
      next(new RegistryError(principal ? 'FORBIDDEN' : 'UNAUTHENTICATED', 'this stream needs a counter API key'));
      return;
    }
    const id = String(req.params.id ?? '');
    const send = async (): Promise<boolean> => {
      const state = await services.presentations.state(id, principal.counter.id);
      res.write(`event: state\ndata: ${JSON.stringify(state)}\n\n`);
      return state.status !== 'pending';
    };
    services.presentations
      .state(id, principal.counter.id)
      .then((initial) => {
        res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.flushHeaders();
        res.write(`event: state\ndata: ${JSON.stringify(initial)}\n\n`);
        if (initial.status !== 'pending') {
          res.end();
          return;
        }
        const finish = () => {
          unsubscribe();
          clearTimeout(timer);
          void send()
            .catch(() => undefined)
            .finally(() => res.end());
        };
        const unsubscribe = services.presentations.onAnswered(id, finish);
        const timer = setTimeout(finish, Math.max(0, Date.parse(initial.expiresAt) - Date.now()) + 50);
        req.on('close', () => {
          unsubscribe();
          clearTimeout(timer);
        });
      })
      .catch(next);
  };
}

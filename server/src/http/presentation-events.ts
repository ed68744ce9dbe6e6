/**
 * Server-Sent Events for a counter page waiting on its request: one `state` event now, an
 * `attempt` event for each answer refused for holder binding (the request stays open), and a last
 * `state` event when the wallet's presentation arrives, the request expires or is closed after too
 * many failed attempts; then the stream ends. A counter holds a limited number of streams at once.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RegistryError } from '../../../core/errors';
import type { Services } from '../services/index';
import type { RequestState } from '../services/presentations';
import { callerOf } from './middleware';

function event(res: Response, name: 'state' | 'attempt', data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function presentationEvents(services: Services): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { principal } = callerOf(res);
    if (principal?.kind !== 'counter') {
      next(new RegistryError(principal ? 'FORBIDDEN' : 'UNAUTHENTICATED', 'this stream needs a counter API key'));
      return;
    }
    const counterId = principal.counter.id;
    const id = String(req.params.id ?? '');
    let release: () => void;
    try {
      release = services.presentations.holdStream(counterId);
    } catch (error) {
      next(error);
      return;
    }
    // The response's close fires on a client's disconnect and on our own end alike.
    res.on('close', () => release());
    services.presentations
      .state(id, counterId)
      .then((initial) => {
        res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.flushHeaders();
        event(res, 'state', initial);
        if (initial.status !== 'pending') {
          res.end();
          return;
        }
        let seen = initial.failedAttempts;
        let ended = false;
        const end = (last: RequestState | null) => {
          if (ended) return;
          ended = true;
          unsubscribe();
          clearTimeout(timer);
          if (last) event(res, 'state', last);
          res.end();
        };
        const update = (stopping: boolean) => {
          services.presentations.state(id, counterId).then(
            (state) => {
              if (ended) return;
              if (state.failedAttempts > seen) {
                seen = state.failedAttempts;
                event(res, 'attempt', { failedAttempts: state.failedAttempts, lastFailedAttempt: state.lastFailedAttempt });
              }
              if (stopping || state.status !== 'pending') end(state);
            },
            () => end(null),
          );
        };
        const unsubscribe = services.presentations.onChange(id, update);
        const timer = setTimeout(() => update(true), Math.max(0, Date.parse(initial.expiresAt) - Date.now()) + 50);
        res.on('close', () => {
          ended = true;
          unsubscribe();
          clearTimeout(timer);
        });
      })
      .catch(next);
  };
}

/**
 * The custom-operator helper of the synchronous operators: makeState runs once per subscription,
 * so two subscribers (two sessions, or a resubscription) never share a buffer.
 */
import { Observable, type OperatorFunction } from 'rxjs';

/** One input item to any number of outputs, with state per subscription and a final flush. */
export function statefulMap<I, O>(makeState: () => { step: (item: I, emit: (o: O) => void) => void; complete?: (emit: (o: O) => void) => void }): OperatorFunction<I, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      const state = makeState();
      const emit = (o: O) => subscriber.next(o);
      return source.subscribe({
        next: (item) => {
          try {
            state.step(item, emit);
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          try {
            state.complete?.(emit);
            subscriber.complete();
          } catch (e) {
            subscriber.error(e);
          }
        },
      });
    });
}

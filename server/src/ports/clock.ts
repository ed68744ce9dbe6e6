/** Time, injected so tests can stand at any date (an expired license, a key retired yesterday). */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

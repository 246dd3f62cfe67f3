const running = new WeakMap<Element, () => void>();

/**
 * Runs `tick` now and then every second for `el`, replacing the ticker already running on it
 * (a re-attach with a new duration). Returns the function that stops it.
 */
export function tickEverySecond(el: Element, tick: () => void): () => void {
  running.get(el)?.();
  tick();
  const id = setInterval(tick, 1000);
  const stop = () => {
    clearInterval(id);
    if (running.get(el) === stop) running.delete(el);
  };
  running.set(el, stop);
  return stop;
}

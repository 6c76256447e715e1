/**
 * The next message from a forked child that carries `key` (after sending it `request`, if given);
 * rejects if the child exits first. `name` says which child in that error.
 */
export function childReply(child, name, key, request) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (!(key in message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code) => reject(new Error(`${name} exited (${code}) before answering ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (request) child.send(request);
  });
}

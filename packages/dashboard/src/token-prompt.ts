import type { TokenPrompt } from './api-client.js';
import { h } from './dom.js';

/** A modal form that asks for the bearer token; the token is kept by the caller (token-store.ts). */
export const tokenPrompt: TokenPrompt = (reason) =>
  new Promise((resolve) => {
    const input = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'current-password',
      required: true,
      'aria-label': 'Bearer token',
    });
    const form = h(
      'form',
      { class: 'modal-box' },
      h('h2', {}, 'Token required'),
      h('p', {}, reason, ' Enter the token vigil serve was started with (auth.token / VIGIL_TOKEN).'),
      input,
      h('button', { type: 'submit' }, 'Save and continue'),
    );
    const overlay = h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true' }, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token === '') return;
      overlay.remove();
      resolve(token);
    });
    document.body.appendChild(overlay);
    input.focus();
  });

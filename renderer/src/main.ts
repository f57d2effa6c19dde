// The notes app: in the desktop app it talks to the peer of its own main
// process through the bridge its preload exposes (`window.raftnotes`); in a
// browser, to the peer that served the page, over HTTP with the API token the
// peer wrote into the page.
import { mount } from 'svelte';
import type { RaftnotesBridge } from '../../core/api/types.ts';
import App from './app/App.svelte';
import { createHttpClient } from '../../client/http-client.ts';
import { createIpcClient } from '../../client/ipc-client.ts';
import { PeerState } from './lib/peer-state.svelte.ts';
import './app/app.css';

const bridge = (window as { raftnotes?: RaftnotesBridge }).raftnotes;
const token = document.querySelector<HTMLMetaElement>('meta[name="raftnotes-token"]')?.content ?? '';
const client = bridge !== undefined ? createIpcClient(bridge) : createHttpClient({ baseUrl: '', token });
const state = new PeerState(client);
state.start();
const tokenMissing = bridge === undefined && (token === '' || token.startsWith('__'));
mount(App, { target: document.getElementById('app')!, props: { peer: state, tokenMissing } });

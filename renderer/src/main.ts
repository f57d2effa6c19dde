// The page a peer serves at `/`: reads the API token the peer wrote into the
// page, connects to the peer's own API and shows the notes and the cluster.
import { mount } from 'svelte';
import App from './app/App.svelte';
import { createHttpClient } from '../../client/http-client.ts';
import { PeerState } from './lib/peer-state.svelte.ts';
import './app/app.css';

const token = document.querySelector<HTMLMetaElement>('meta[name="raftnotes-token"]')?.content ?? '';
const state = new PeerState(createHttpClient({ baseUrl: '', token }));
state.start();
mount(App, { target: document.getElementById('app')!, props: { peer: state, tokenMissing: token === '' || token.startsWith('__') } });

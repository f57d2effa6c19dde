// The demo dashboard (`raftnotes demo`): reads the token the demo server wrote
// into the page, follows every node of the local cluster and shows them side by side.
import { mount } from 'svelte';
import Dashboard from './Dashboard.svelte';
import { DemoState } from './demo-state.svelte.ts';
import { Walkthrough } from './walkthrough.svelte.ts';
import './demo.css';

const token = document.querySelector<HTMLMetaElement>('meta[name="raftnotes-token"]')?.content ?? '';
const state = new DemoState(token);
state.start();
addEventListener('pagehide', () => state.close());
mount(Dashboard, { target: document.getElementById('demo')!, props: { demo: state, walk: new Walkthrough(state) } });

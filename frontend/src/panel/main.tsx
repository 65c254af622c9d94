// Issue panel entry: paint the loading state at once, then resolve the host and load.
import { render } from 'preact';
import '../styles/base.css';
import './panel.css';
import { Panel } from './Panel';
import { resolveHost } from '../host/detect';

const root = document.getElementById('root')!;
render(<Panel host={null} />, root);
resolveHost('content').then(
  (host) => render(<Panel host={host} />, root),
  (e: unknown) => render(<Panel host={null} hostError={e instanceof Error ? e.message : String(e)} />, root),
);

// Review dashboard entry.
import { render } from 'preact';
import '../styles/base.css';
import '../admin/admin.css';
import './dashboard.css';
import { Dashboard } from './Dashboard';
import { resolveHost } from '../host/detect';

const root = document.getElementById('root')!;
render(<Dashboard host={null} />, root);
resolveHost('parent').then(
  (host) => render(<Dashboard host={host} />, root),
  (e: unknown) => render(<Dashboard host={null} hostError={e instanceof Error ? e.message : String(e)} />, root),
);

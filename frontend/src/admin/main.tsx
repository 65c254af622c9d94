// Admin page entry (also /pages/configure and /pages/post-install).
import { render } from 'preact';
import '../styles/base.css';
import './admin.css';
import { Admin } from './Admin';
import { resolveHost } from '../host/detect';

const root = document.getElementById('root')!;
render(<Admin host={null} />, root);
resolveHost('parent').then(
  (host) => render(<Admin host={host} />, root),
  (e: unknown) => render(<Admin host={null} hostError={e instanceof Error ? e.message : String(e)} />, root),
);

import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { AppShell } from './app-shell.js';

const root = document.getElementById('app');
if (root) void new AppShell(root).start();

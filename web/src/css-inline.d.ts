/** `import css from './x.css?inline'`: Vite gives the stylesheet's text (used by the build-time welcome page). */
declare module '*.css?inline' {
  const css: string;
  export default css;
}

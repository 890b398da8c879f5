// The classic script is loaded with <script src>: see ./k12-export-classic.js.
export {};

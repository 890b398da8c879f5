// The whole configuration: an entry and a page. Nothing about WebAssembly.
const HtmlWebpackPlugin = require('html-webpack-plugin');

module.exports = {
  mode: 'production',
  entry: './src/index.js',
  plugins: [new HtmlWebpackPlugin({ template: './src/index.html' })],
};

// What the React types refuse.
import type {} from 'k12-export/react';

export const wrongField = (
  // @ts-expect-error: the detail has `filename`
  <k12-export-button onexport-done={(e) => e.detail.fileName} />
);
// @ts-expect-error: not an attribute of the button
export const wrongAttribute = <k12-export-button dataa="{}" />;
// @ts-expect-error: config is JSON text, not an object
export const notText = <k12-export-button config={{}} />;

/** A geoPoint field's input: longitude and latitude boxes (`{lon, lat}`, docs/api.md §1.2). */
import { useId } from 'preact/hooks';

export interface GeoPoint {
  lon: number;
  lat: number;
}

export interface GeoPointInputProps {
  label: string;
  value: GeoPoint;
  onValue: (value: GeoPoint) => void;
  error?: string;
}

export function GeoPointInput({ label, value, onValue, error }: GeoPointInputProps) {
  const id = useId();
  const set = (key: keyof GeoPoint, text: string): void => onValue({ ...value, [key]: text === '' ? 0 : Number(text) });
  return (
    <fieldset class={`field${error ? ' field-invalid' : ''}`}>
      <legend>{label}</legend>
      <div class="input-row">
        <label for={`${id}-lon`}>Longitude</label>
        <input id={`${id}-lon`} type="number" step="any" min={-180} max={180} value={value.lon} onInput={(e) => set('lon', e.currentTarget.value)} />
        <label for={`${id}-lat`}>Latitude</label>
        <input id={`${id}-lat`} type="number" step="any" min={-90} max={90} value={value.lat} onInput={(e) => set('lat', e.currentTarget.value)} />
      </div>
      {error ? <p class="field-error">{error}</p> : null}
    </fieldset>
  );
}

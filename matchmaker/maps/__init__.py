"""The map: kabupaten/kota shaded by an indicator, practices as points, programmes as lines."""
